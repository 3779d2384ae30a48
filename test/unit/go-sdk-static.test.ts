// The emulator's schemas and our own client, checked statically against Codefresh's Go SDK (go-sdk v1.4.15,
// read from the Go module cache): every GraphQL document the SDK can send for the in-scope areas validates
// against the emulator's schema; every type, enum and field the emulator declares has go-sdk's generated
// model's name and nullability; and our client's documents send the SDK's operation and arguments and
// select only fields the SDK's models have.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  buildSchema,
  getNamedType,
  GraphQLField,
  GraphQLInputField,
  GraphQLSchema,
  GraphQLType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  Kind,
  OperationDefinitionNode,
  parse,
  print,
  TypeInfo,
  validate,
  visit,
  visitWithTypeInfo,
} from "graphql";
import * as ours from "../../sdk/src/api/documents";
import { appProxyTypeDefs } from "../../emulator/src/schema/app-proxy";
import { platformTypeDefs } from "../../emulator/src/schema/platform";

const root = join(__dirname, "..", "..");
/** go-sdk's directory in the Go module cache, downloaded (from the Go module proxy) if missing. */
const sdkDir = (
  JSON.parse(
    execFileSync("go", ["mod", "download", "-json", "github.com/codefresh-io/go-sdk@v1.4.15"], { cwd: join(root, "test", "conformance"), encoding: "utf8" }),
  ) as { Dir: string }
).Dir;

type Surface = "platform" | "app-proxy";
const schemas: Record<Surface, GraphQLSchema> = { platform: buildSchema(platformTypeDefs), "app-proxy": buildSchema(appProxyTypeDefs) };
/** The in-scope SDK files of each surface. */
const sdkFiles: Record<Surface, string[]> = {
  platform: ["account", "user", "runtime", "cluster", "git-source", "component", "payments", "cli-release"].map((f) => `pkg/graphql/${f}.go`),
  "app-proxy": ["cluster", "git-source", "git_integration", "isc", "version-info"].map((f) => `pkg/appproxy/${f}.go`),
};

interface SdkDocument {
  surface: Surface;
  file: string;
  text: string;
  rootField: string;
}
const sdkDocuments: SdkDocument[] = (Object.entries(sdkFiles) as [Surface, string[]][]).flatMap(([surface, files]) =>
  files.flatMap((file) =>
    [...readFileSync(join(sdkDir, file), "utf8").matchAll(/`(\s*(?:query|mutation)\b[^`]*)`/g)].map(([, text = ""]) => ({
      surface,
      file,
      text,
      rootField: rootOf(text).field,
    })),
  ),
);

function rootOf(text: string): { operation: OperationDefinitionNode; field: string } {
  const operation = parse(text).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const field = operation?.selectionSet.selections[0];
  if (!operation || field?.kind !== Kind.FIELD) throw new Error(`no operation in ${text}`);
  return { operation, field: field.name.value };
}

// ---- go-sdk's generated models ------------------------------------------------------------------
interface GoModels {
  structs: Map<string, Map<string, string>>; // struct -> json name -> Go type
  enums: Map<string, string[]>;
  interfaces: Set<string>;
}
function goModels(file: string): GoModels {
  const source = readFileSync(join(sdkDir, file), "utf8");
  const structs = new Map<string, Map<string, string>>();
  for (const [, name = "", body = ""] of source.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
    const fields = new Map<string, string>();
    for (const [, goType = "", json = ""] of body.matchAll(/^\s+\w+\s+(\S+)\s+`json:"([^",]+)/gm)) fields.set(json, goType);
    structs.set(name, fields);
  }
  const enums = new Map<string, string[]>();
  for (const [, type = "", value = ""] of source.matchAll(/^\s+\w+\s+(\w+)\s+=\s+"([^"]+)"/gm)) enums.set(type, [...(enums.get(type) ?? []), value]);
  return { structs, enums, interfaces: new Set([...source.matchAll(/^type (\w+) interface/gm)].map(([, name = ""]) => name)) };
}
const models: Record<Surface, GoModels> = {
  platform: goModels("pkg/model/platform/models_gen.go"),
  "app-proxy": goModels("pkg/model/app-proxy/models_gen.go"),
};
const goScalars: Record<string, string> = { String: "string", ID: "string", Int: "int", Boolean: "bool", Float: "float64" };

/** Differences that stay, each with its reason (none today: add one only with a reason the README repeats). */
export const knownDifferences: Record<string, string> = {};

/** Every difference between the emulator's declared types and go-sdk's models (gqlgen's mapping). */
function modelDifferences(surface: Surface): string[] {
  const { structs, enums, interfaces } = models[surface];
  const problems: string[] = [];
  for (const type of Object.values(schemas[surface].getTypeMap())) {
    if (type.name.startsWith("__") || ["Query", "Mutation", "Void", ...Object.keys(goScalars)].includes(type.name)) continue;
    if (isEnumType(type)) {
      const goValues = enums.get(type.name);
      if (!goValues) problems.push(`enum ${type.name}: not in go-sdk's models`);
      else for (const value of type.getValues()) if (!goValues.includes(value.name)) problems.push(`enum ${type.name}.${value.name}: not a go-sdk value`);
      continue;
    }
    if (!isObjectType(type) && !isInputObjectType(type)) continue;
    const goFields = structs.get(type.name);
    if (!goFields) {
      problems.push(`type ${type.name}: not in go-sdk's models`);
      continue;
    }
    const fields: (GraphQLField<unknown, unknown> | GraphQLInputField)[] = Object.values(type.getFields());
    for (const field of fields) {
      const where = `${type.name}.${field.name}`;
      const goType = goFields.get(field.name);
      if (goType === undefined) {
        problems.push(`${where}: not in go-sdk's ${type.name}`);
        continue;
      }
      const fieldType: GraphQLType = field.type;
      const named = getNamedType(fieldType).name;
      const goNamed = goScalars[named] ?? named;
      // gqlgen: objects are always pointers, so only scalars' and enums' nullability shows in Go.
      const nullabilityShows = named in goScalars || enums.has(named);
      const nullable = !isNonNullType(fieldType);
      const inner = isNonNullType(fieldType) ? fieldType.ofType : fieldType;
      if (isListType(inner)) {
        const element = /^\[\](\*?)(\w+)$/.exec(goType);
        if (!element) problems.push(`${where}: a list, go-sdk has ${goType}`);
        else {
          if (element[2] !== goNamed && !interfaces.has(element[2] ?? "")) problems.push(`${where}: [${named}], go-sdk has ${goType}`);
          if (nullabilityShows && (element[1] === "*") === isNonNullType(inner.ofType)) problems.push(`${where}: element nullability differs from ${goType}`);
        }
        continue;
      }
      const pointer = goType.startsWith("*");
      const goBase = goType.replace(/^\*/, "");
      if (goBase !== goNamed && !(interfaces.has(goBase) && interfaces.has(named))) problems.push(`${where}: ${named}, go-sdk has ${goType}`);
      if (nullabilityShows && pointer !== nullable) problems.push(`${where}: ${nullable ? "nullable" : "non-null"}, go-sdk has ${goType}`);
    }
  }
  return problems.filter((problem) => !(problem in knownDifferences));
}

/** The type name of each field a document selects, walked through the schema: `Type.field` pairs. */
function selectedFields(schema: GraphQLSchema, text: string): string[] {
  const typeInfo = new TypeInfo(schema);
  const fields: string[] = [];
  visit(
    parse(text),
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent && !["Query", "Mutation"].includes(parent.name) && !node.name.value.startsWith("__")) fields.push(`${parent.name}.${node.name.value}`);
      },
    }),
  );
  return fields;
}

describe("go-sdk v1.4.15's documents and models against the emulator's schemas", () => {
  test("the SDK's in-scope documents are all found", () => {
    expect(sdkDocuments.length).toBe(29);
  });

  test.each(sdkDocuments.map((d) => [`${d.file} ${d.rootField}`, d] as const))("%s validates against the emulator", (_, document) => {
    expect(validate(schemas[document.surface], parse(document.text)).map((e) => e.message)).toEqual([]);
  });

  test.each(["platform", "app-proxy"] as const)("the %s schema's types, enums and nullability are go-sdk's", (surface) => {
    expect(modelDifferences(surface)).toEqual([]);
  });
});

/** Where our documents send more arguments than go-sdk's, and why. */
const extraArguments: Record<string, { arguments: string[]; reason: string }> = {
  gitSources: { arguments: ["pagination"], reason: "reads every page, as go-sdk's Cluster().List does for clusters" },
};

describe("our client's documents against go-sdk's", () => {
  const public_ = Object.entries(ours).filter(([, text]) => sdkDocuments.some((d) => d.rootField === rootOf(text).field));

  test("every public operation our client sends is one go-sdk sends", () => {
    expect(public_.map(([name]) => name).sort()).toEqual(
      [
        "accountInfo",
        "addGitIntegration",
        "createArgoRollouts",
        "createGitSource",
        "deleteApplication",
        "deleteManagedRuntime",
        "deleteRuntime",
        "editGitSource",
        "getRuntime",
        "getRuntimeDetailed",
        "gitIntegrations",
        "listClusters",
        "listGitSources",
        "listRuntimes",
        "registerToGitIntegration",
        "removeCluster",
        "removeGitIntegration",
        "removeRuntimeFromIscRepo",
        "suggestIscRepo",
        "updateCsdpSettings",
      ].sort(),
    );
  });

  test.each(public_)("%s: go-sdk's operation name and arguments, and only fields of go-sdk's models", (_, text) => {
    const mine = rootOf(text);
    const sdk = sdkDocuments.find((d) => d.rootField === mine.field);
    if (!sdk) throw new Error(`no go-sdk document for ${mine.field}`);
    const theirs = rootOf(sdk.text);
    expect(mine.operation.name?.value).toBe(theirs.operation.name?.value);
    const variables = (operation: OperationDefinitionNode) =>
      Object.fromEntries((operation.variableDefinitions ?? []).map((v) => [v.variable.name.value, print(v.type)]));
    const extra = extraArguments[mine.field]?.arguments ?? [];
    const myVariables = Object.fromEntries(Object.entries(variables(mine.operation)).filter(([name]) => !extra.includes(name)));
    expect(myVariables).toEqual(variables(theirs.operation));
    const { structs } = models[sdk.surface];
    const missing = selectedFields(schemas[sdk.surface], text).filter((pair) => {
      const [type = "", field = ""] = pair.split(".");
      return !structs.get(type)?.has(field);
    });
    expect(missing).toEqual([]);
  });
});
