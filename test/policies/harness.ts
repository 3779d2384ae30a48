// Runs one rule on hand-built resources, as the policy engine would: props behind the SDK's
// unknown-checking proxy, config defaults from the rule's schema, violations collected.
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";

export const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface Outcome {
  violations: string[];
  /** Set when the rule could not run because a value is unknown (reported by Pulumi as advisory). */
  unknown?: string;
}

function configOf(policy: ResourceValidationPolicy | StackValidationPolicy, overrides: Record<string, unknown>): Record<string, unknown> {
  const defaults: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
    if (schema && typeof schema === "object" && "default" in schema) defaults[key] = (schema as { default: unknown }).default;
  }
  return { ...defaults, ...overrides };
}

const opts = { protect: false, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: {}, parent: undefined };

export function validateResource(
  policy: ResourceValidationPolicy,
  type: string,
  props: Record<string, unknown>,
  config: Record<string, unknown> = {},
  name = "subject",
): Outcome {
  const violations: string[] = [];
  const args = {
    type,
    props: unknownCheckingProxy(props),
    urn: `urn:pulumi:test::project::${type}::${name}`,
    name,
    opts,
    stackTags: new Map<string, string>(),
    isType: () => false,
    asType: () => undefined,
    getConfig: <T extends object>() => configOf(policy, config) as T,
    notApplicable: (): never => {
      throw new Error("not applicable");
    },
  };
  try {
    const result = (policy.validateResource as (a: unknown, r: (m: string) => void) => void)(args, (message) => violations.push(message));
    void result;
  } catch (error) {
    if (error instanceof UnknownValueError) return { violations, unknown: (error as Error).message };
    throw error;
  }
  return { violations };
}

export function validateStack(
  policy: StackValidationPolicy,
  resources: { type: string; name: string; props?: Record<string, unknown> }[],
  config: Record<string, unknown> = {},
): Outcome {
  const violations: string[] = [];
  const policyResources = resources.map(
    (r) =>
      ({
        type: r.type,
        name: r.name,
        urn: `urn:pulumi:test::project::${r.type}::${r.name}`,
        props: unknownCheckingProxy(r.props ?? {}),
        opts,
        dependencies: [],
        propertyDependencies: {},
        isType: () => false,
        asType: () => undefined,
      }) as unknown as PolicyResource,
  );
  try {
    (policy.validateStack as (a: unknown, r: (m: string) => void) => void)(
      { resources: policyResources, stackTags: new Map(), getConfig: () => configOf(policy, config), notApplicable: () => undefined },
      (message) => violations.push(message),
    );
  } catch (error) {
    if (error instanceof UnknownValueError) return { violations, unknown: (error as Error).message };
    throw error;
  }
  return { violations };
}
