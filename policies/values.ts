// What rules share: a resource's checked inputs, typed by the SDK's class, and telling public from
// private addresses.
import { isIP } from "node:net";
import {
  UnknownValueError,
  type PolicyResource,
  type ReportViolation,
  type ResourceValidation,
  type ResourceValidationArgs,
  type StackValidation,
  type StackValidationArgs,
} from "@pulumi/policy";
import { HostedRuntime, Runtime, type RuntimeKind } from "pulumi-codefresh";

/** One of the SDK's resource classes: its type token, and (type only) the inputs policies see. */
interface CodefreshClass {
  readonly __pulumiType: string;
  readonly __inputs?: object | undefined;
}
type InputsOf<C extends CodefreshClass> = Readonly<NonNullable<C["__inputs"]>>;

/**
 * Like `validateResourceOfType`, with the resource's checked inputs typed as the SDK declares them,
 * including what its `check` derives (a cluster's version, a repo's size), which the class's args lack.
 * An unknown value throws UnknownValueError when touched (Pulumi's proxy): reported, never passed.
 */
export function validateInputsOf<C extends CodefreshClass>(
  resourceClass: C,
  validate: (inputs: InputsOf<C>, args: ResourceValidationArgs, reportViolation: ReportViolation) => void,
): ResourceValidation {
  return (args, reportViolation) => {
    const inputs = inputsOf(resourceClass, args);
    if (inputs) validate(inputs, args, reportViolation);
  };
}

/** A stack's resource's checked inputs if it is of `resourceClass`. */
export function inputsOf<C extends CodefreshClass>(resourceClass: C, resource: Pick<PolicyResource, "type" | "props">): InputsOf<C> | undefined {
  return resource.type === resourceClass.__pulumiType ? (resource.props as InputsOf<C>) : undefined;
}

/**
 * The kind of the runtime named `name`, learnt from the stack's runtime resources: a `HostedRuntime` is
 * hosted; a `Runtime` says (its `kind`, read from Codefresh at preview and at every refresh). Undefined when
 * the stack declares no runtime of that name, or Codefresh did not know it at preview.
 */
export function runtimeKindIn(resources: readonly Pick<PolicyResource, "type" | "props">[], name: string): RuntimeKind | undefined {
  for (const resource of resources) {
    if (inputsOf(HostedRuntime, resource)?.name === name) return "hosted";
    const runtime = inputsOf(Runtime, resource);
    if (runtime?.name === name) return runtime.kind;
  }
  return undefined;
}

/** What a rule over one resource of a stack is told: its name, and the rule's config. */
export interface StackResourceArgs {
  readonly name: string;
  readonly urn: string;
  getConfig<T extends object>(): T;
}

/**
 * A stack rule that judges each resource of `resourceClass` whose runtime is a hosted one (see
 * runtimeKindIn), reporting on that resource. An unknown value skips only its own resource and is reported
 * as unknown after the others were judged.
 */
export function validateHostedInputsOf<C extends CodefreshClass & { readonly __inputs?: { runtime: string } | undefined }>(
  resourceClass: C,
  validate: (inputs: InputsOf<C>, args: StackResourceArgs, reportViolation: (message: string) => void) => void,
): StackValidation {
  return (args: StackValidationArgs, reportViolation: ReportViolation) => {
    let unknown: Error | undefined;
    for (const resource of args.resources) {
      const inputs = inputsOf(resourceClass, resource);
      if (!inputs) continue;
      try {
        if (runtimeKindIn(args.resources, inputs.runtime) !== "hosted") continue;
        validate(inputs, { name: resource.name, urn: resource.urn, getConfig: <T extends object>() => args.getConfig<T>() }, (message) =>
          reportViolation(message, resource.urn),
        );
      } catch (error) {
        if (!(error instanceof UnknownValueError)) throw error;
        unknown ??= error as Error;
      }
    }
    if (unknown) throw unknown;
  };
}

/** Why a host cannot be reached from the public internet, or undefined if it can. */
export function nonPublicReason(host: string): string | undefined {
  const name = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (name === "localhost" || name.endsWith(".localhost")) return "a loopback name";
  if (name === "kubernetes.default.svc" || name.endsWith(".svc") || name.endsWith(".cluster.local") || name.endsWith(".internal") || name.endsWith(".local")) {
    return "a cluster-internal or local DNS name";
  }
  const version = isIP(name);
  if (version === 4) {
    // isIP said IPv4: four parts.
    const [a = 0, b = 0] = name.split(".").map(Number);
    if (a === 127) return "a loopback address";
    if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "a private (RFC 1918) address";
    if (a === 169 && b === 254) return "a link-local address";
    if (a === 100 && b >= 64 && b <= 127) return "a carrier-grade NAT (RFC 6598) address";
    if (a === 0) return "an unspecified address";
  } else if (version === 6) {
    if (name === "::1") return "a loopback address";
    if (/^f[cd]/.test(name)) return "a private (unique local) address";
    if (/^fe[89ab]/.test(name)) return "a link-local address";
  } else if (!name.includes(".")) {
    return "a single-label name that only resolves inside a network";
  }
  return undefined;
}
