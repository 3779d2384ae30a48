// Runs one rule on hand-built resources, as the policy engine would: props behind the SDK's
// unknown-checking proxy, config defaults from the rule's schema, violations collected.
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, unknownCheckingProxy, UnknownValueError } from "@pulumi/policy";

export { unknownValue as unknown } from "pulumi-codefresh";

/** The policy SDK's proxy: touching an unknown value throws UnknownValueError (its .d.ts leaves the type unresolved). */
const proxyOf = unknownCheckingProxy as (props: Record<string, unknown>) => Record<string, unknown>;

/** What rules match a resource by: its type token (`isType(ManagedCluster)`, `validateResourceOfType`). */
type ResourceClass = { __pulumiType?: string };
const typeMatcher = (type: string, props: Record<string, unknown>) => ({
  isType: (cls: ResourceClass) => cls.__pulumiType === type,
  asType: (cls: ResourceClass) => (cls.__pulumiType === type ? props : undefined),
});

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
  const proxied = proxyOf(props);
  const args = {
    type,
    props: proxied,
    urn: `urn:pulumi:test::project::${type}::${name}`,
    name,
    opts,
    stackTags: new Map<string, string>(),
    ...typeMatcher(type, proxied),
    getConfig: <T extends object>() => configOf(policy, config) as T,
    notApplicable: (): never => {
      throw new Error("not applicable");
    },
  };
  try {
    // One validation or several (a rule over two resource types has one per type), each run as the engine would.
    const validations = [policy.validateResource].flat() as ((a: unknown, r: (m: string) => void) => void)[];
    for (const validation of validations) validation(args, (message) => violations.push(message));
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
  const policyResources = resources.map((r) => {
    const props = proxyOf(r.props ?? {});
    return {
      type: r.type,
      name: r.name,
      urn: `urn:pulumi:test::project::${r.type}::${r.name}`,
      props,
      opts,
      dependencies: [],
      propertyDependencies: {},
      ...typeMatcher(r.type, props),
    } as unknown as PolicyResource;
  });
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
