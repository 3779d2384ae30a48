// Program-side pieces shared by the four resource classes.
import * as pulumi from "@pulumi/pulumi";

/** The dynamic resources' module in type tokens: `pulumi-nodejs:dynamic/codefresh:<Type>`. */
export const typeModule = "codefresh";

/** What Pulumi puts before a dynamic resource's module and type. */
export const dynamicTypePrefix = "pulumi-nodejs:dynamic/";

export function typeToken(type: string): string {
  return `${dynamicTypePrefix}${typeModule}:${type}`;
}

/** This package's version, recorded with each resource (`providerVersion`) for support and upgrades. */
export const providerVersion: string = (require("../../package.json") as { version: string }).version;

/** Timeouts the provider enforces, from `customTimeouts` (dynamic providers are not told them otherwise). */
export interface Timeouts {
  create?: string | undefined;
  update?: string | undefined;
  delete?: string | undefined;
}

export function timeoutsOf(opts: pulumi.CustomResourceOptions | undefined): Timeouts | undefined {
  const t = opts?.customTimeouts;
  if (!t) return undefined;
  return { create: t.create, update: t.update, delete: t.delete };
}

/** The owning stack, `<project>/<stack>`, marked on objects that can carry metadata (adopt after an interruption). */
export function stackMarker(): string {
  return `${pulumi.getProject()}/${pulumi.getStack()}`;
}

/**
 * The resource's own URN, computed as the engine will (name, type, parent), passed as the `__urn` input in
 * short form (see {@link shortUrn}): the provider names both resources when two would manage one
 * Codefresh object, and marks what it creates with it. Known at preview; diffs ignore it.
 */
export function ownUrn(name: string, type: string, opts: pulumi.CustomResourceOptions | undefined): pulumi.Output<string> {
  return pulumi.createUrn(name, typeToken(type), opts?.parent ? urnWithoutDependency(opts.parent) : undefined).apply((urn) => shortUrn(urn, typeToken(type)));
}

/**
 * The parent's URN as a value that carries no dependency on the parent. An input that depends on a component
 * depends on all its children (Pulumi expands a component into them): two children of one component whose
 * `__urn` came from `parent.urn` would each wait for the other, and the program would never finish.
 */
function urnWithoutDependency(parent: pulumi.Resource): pulumi.Output<string> {
  return pulumi.output(new Promise<string>((resolve) => parent.urn.apply(resolve)));
}

/**
 * A URN without what the provider knows already (the stack and project, in `__stack`; the type, when
 * the resource has no parent): state pays a few bytes per resource, not a whole URN twice.
 */
export function shortUrn(urn: string, ownType: string): string {
  const [, , typeChain = "", ...name] = urn.replace(/^urn:pulumi:/, "").split("::");
  return typeChain === ownType ? name.join("::") : `${typeChain}::${name.join("::")}`;
}

/** The whole URN back from {@link shortUrn} and the stack marker (`<project>/<stack>`). */
export function fullUrn(short: string, stack: string, ownType: string): string {
  const slash = stack.indexOf("/");
  const chained = (short.split("::")[0] ?? "").endsWith(`$${ownType}`);
  return `urn:pulumi:${stack.slice(slash + 1)}::${stack.slice(0, slash)}::${chained ? short : `${ownType}::${short}`}`;
}
