// The editable fields of a git source (set at create, changed by editGitSource, returned by the git
// source queries, written into the Argo CD Application), declared once: the stored record's type, both
// GraphQL schemas' SDL, the resolvers' mapping, the service's copying and the manifest all derive from
// `editableGitSourceFields`, so adding such a field is one line here.

/** The GraphQL scalars an editable field may have, with the TypeScript type each stores as. */
interface GraphqlScalars {
  String: string;
  Boolean: boolean;
  Int: number;
}

interface EditableFieldSpec {
  /** Its type in CreateGitSourceInput, EditGitSourceInput and Application (always nullable: optional). */
  graphql: keyof GraphqlScalars;
  /** Its key in the Application's `spec.source.directory` (not written for a plugin source, as Codefresh). */
  directory: string;
}

/** In the order the schemas list them. */
export const editableGitSourceFields = {
  include: { graphql: "String", directory: "include" },
  exclude: { graphql: "String", directory: "exclude" },
} as const satisfies Record<string, EditableFieldSpec>;

type Fields = typeof editableGitSourceFields;
type FieldName = keyof Fields;
/** Each field's value type. */
type Values = { [K in FieldName]: GraphqlScalars[Fields[K]["graphql"]] };

/** As stored in a GitSourceRecord: absent when unset. */
export type EditableGitSourceFields = { [K in FieldName]?: Values[K] | undefined };
/** As GraphQL passes them in createGitSource's and editGitSource's args: null or absent when unset. */
export type EditableGitSourceInput = { [K in FieldName]?: Values[K] | null | undefined };
/** As the git source queries return them in `self`: null when unset. */
export type EditableGitSourceView = { [K in FieldName]: Values[K] | null };

const fieldNames = Object.keys(editableGitSourceFields) as FieldName[];

/** The fields' SDL lines (`include: String`), the same in both inputs and the Application output type. */
export const editableGitSourceSdl: string = fieldNames.map((name) => `${name}: ${editableGitSourceFields[name].graphql}`).join("\n    ");

/** What create and edit store: every field, unset ones as undefined, so an edit that omits a field clears it. */
export function editableFieldsOf(input: EditableGitSourceInput): EditableGitSourceFields {
  const fields: EditableGitSourceFields = {};
  // Generic in the name, so that each field's value keeps its own type.
  const copy = <K extends FieldName>(name: K) => {
    fields[name] = input[name] ?? undefined;
  };
  fieldNames.forEach(copy);
  return fields;
}

/** The fields as the queries answer them. */
export function editableFieldsView(source: EditableGitSourceFields): EditableGitSourceView {
  const view: Partial<EditableGitSourceView> = {};
  const copy = <K extends FieldName>(name: K) => {
    view[name] = source[name] ?? null;
  };
  fieldNames.forEach(copy);
  // Every name was copied above, so the view is complete.
  return view as EditableGitSourceView;
}

/** The fields' entries of the Application's `spec.source.directory`; unset ones are left out of the YAML. */
export function directoryFieldsOf(source: EditableGitSourceFields): Record<string, Values[FieldName]> {
  const directory: Record<string, Values[FieldName]> = {};
  for (const name of fieldNames) {
    const value = source[name];
    if (value !== undefined) directory[editableGitSourceFields[name].directory] = value;
  }
  return directory;
}
