// A resource is declared once, in a spec: each field's role (an argument of the program, an input the
// provider derives, or an output), what a change of it means, its validator, default and secrecy. The
// class's properties, the provider's input and output types, the field checks of `check`, and `diff`
// all come from it; the resource file keeps its TSDoc'd `Args` and the orchestration of its calls.
import * as pulumi from "@pulumi/pulumi";
import { ownUrn, providerVersion, stackMarker, Timeouts, timeoutsOf, typeModule, typeToken } from "./common";
import { Check, Validate, ValueKind } from "./provider/check";
import type { ProviderContext } from "./provider/context";
import { diffFields, DiffRules } from "./provider/diff";
import { guard, plain } from "./provider/guard";
import { isUnknown } from "./provider/unknown";
import type { ProviderKey } from "./shim";

/** What a change of a field means: a new object, a change in place, or nothing in Codefresh. */
export type OnChange = "replace" | "update" | "none";

/** A field of the program's `Args`. */
export interface ArgField<T> {
  readonly role: "arg";
  readonly onChange: OnChange;
  readonly validate?: Validate | undefined;
  /** Checked (the validator called) even when missing. */
  readonly required?: true | undefined;
  /** Set by the program when the argument is omitted; a function gets the resource's name. */
  readonly default?: (T | ((resourceName: string) => T)) | undefined;
  /** Stored as a Pulumi secret, and scrubbed from every message. */
  readonly secret?: true | undefined;
  /** Omitted, the provider's `check` fills it in (from other fields): always set after check. */
  readonly filled?: true | undefined;
}

/** An input the provider sets in `check` (a fact for the policies, the server a kubeconfig names) or the program sets to `initial`. */
export interface DerivedField<T> {
  readonly role: "derived";
  readonly onChange: OnChange;
  readonly initial?: T | undefined;
  /** Type only. */
  readonly type?: T | undefined;
}

/** An output Codefresh reports. */
export interface OutputField<T> {
  readonly role: "output";
  readonly type?: T | undefined;
}

export type Field = ArgField<unknown> | DerivedField<unknown> | OutputField<unknown>;

/** A derived input of type `T`. */
export function derived<T>(onChange: OnChange, initial?: T): DerivedField<T> {
  return initial === undefined ? { role: "derived", onChange } : { role: "derived", onChange, initial };
}

/** An output of type `T`. */
export function output<T>(): OutputField<T> {
  return { role: "output" };
}

/**
 * The fields of a resource whose program arguments are `A`: every key of `A` must be classified (a
 * missing one does not compile), and any other key is a derived input or an output.
 */
export type Fields<A> = { readonly [K in keyof A]-?: ArgField<NonNullable<pulumi.Unwrap<A[K]>>> } & { readonly [key: string]: Field };

/** What every resource records besides its own fields; none of them changes anything in Codefresh. */
export interface CommonInputs {
  /** The owning stack, `<project>/<stack>`. */
  __stack: string;
  /** The resource's URN, short (see ownUrn): who manages the object. */
  __urn?: string | undefined;
  /** `customTimeouts`, which dynamic providers are not told otherwise. */
  __timeouts?: Timeouts | undefined;
  /** The version of pulumi-codefresh that last wrote the resource. */
  providerVersion?: string | undefined;
}

/** What state holds of the common inputs, as `read` returns them with the inputs it read. */
export function commonInputsOf(props: Partial<CommonInputs> | undefined): CommonInputs {
  return {
    __stack: props?.__stack ?? "",
    ...(props?.__urn !== undefined ? { __urn: props.__urn } : {}),
    ...(props?.__timeouts !== undefined ? { __timeouts: props.__timeouts } : {}),
    ...(props?.providerVersion !== undefined ? { providerVersion: props.providerVersion } : {}),
  };
}

/** The arguments the provider always has: those with a default, the required ones, and those check fills in. */
type SetKeys<A, S> = {
  [K in keyof A]-?: K extends keyof S
    ? S[K] extends { readonly default: unknown } | { readonly required: true } | { readonly filled: true }
      ? K
      : never
    : never;
}[keyof A];
type KeysOf<S, Role extends Field["role"]> = { [K in keyof S]: S[K] extends { readonly role: Role } ? K : never }[keyof S];
type TypeOf<F> = F extends DerivedField<infer T> ? T : F extends OutputField<infer T> ? T : never;

/** What the provider receives: the arguments with their defaults applied, the derived inputs, and the common ones. */
export type InputsOf<A, S> = { -readonly [K in keyof A as K extends SetKeys<A, S> ? K : never]-?: NonNullable<pulumi.Unwrap<A[K]>> } & {
  -readonly [K in keyof A as K extends SetKeys<A, S> ? never : K]?: pulumi.Unwrap<A[K]> | undefined;
} & {
  -readonly [K in KeysOf<S, "derived">]?: TypeOf<S[K]> | undefined;
} & CommonInputs;

/** What state holds after create: the inputs and the outputs Codefresh reports. */
export type OutputsOf<A, S> = InputsOf<A, S> & { -readonly [K in KeysOf<S, "output">]: TypeOf<S[K]> };

/** The class's properties: every input and output, without the provider's own `__` bookkeeping. */
export type OutputProperties<O> = { readonly [K in keyof O as K extends `__${string}` ? never : K]-?: pulumi.Output<O[K]> };

/** Values as the engine gives them to `check`: anything, until checked. */
export type Unchecked<I> = { [K in keyof I]?: unknown };

export interface ResourceSpec<A, S extends Fields<A>> {
  readonly type: ProviderKey;
  readonly fields: S;
  /** When a replaced object must be deleted first (see DiffRules). */
  readonly deleteBeforeReplace?: "always" | readonly (keyof S & string)[] | undefined;
  /** The program's args, for type inference only. */
  readonly args?: A | undefined;
}

export function resourceSpec<A>() {
  return <const S extends Fields<A>>(spec: Omit<ResourceSpec<A, S>, "args">): ResourceSpec<A, S> => spec;
}

function keysWith<S extends Record<string, Field>>(fields: S, test: (field: Field) => boolean): string[] {
  return Object.entries(fields)
    .filter(([, field]) => test(field))
    .map(([key]) => key);
}

/** The fields stored as secrets (program side) and scrubbed from every message (provider side). */
export function secretKeys(fields: Record<string, Field>): string[] {
  return keysWith(fields, (field) => field.role === "arg" && field.secret === true);
}

/** The properties the program registers: every field (outputs as placeholders), defaults applied, secrets marked. */
export function programProps<A, S extends Fields<A>>(
  spec: ResourceSpec<A, S>,
  name: string,
  args: A,
  opts: pulumi.CustomResourceOptions | undefined,
): pulumi.Inputs {
  const given = args as Record<string, unknown>;
  const props: pulumi.Inputs = {};
  for (const [key, field] of Object.entries(spec.fields as Record<string, Field>)) {
    if (field.role === "output") props[key] = undefined;
    else if (field.role === "derived") props[key] = field.initial;
    else {
      const fallback = typeof field.default === "function" ? (field.default as (resourceName: string) => unknown)(name) : field.default;
      const value = given[key] ?? fallback;
      props[key] = field.secret && value !== undefined ? pulumi.secret(value) : value;
    }
  }
  return { ...props, __stack: stackMarker(), __urn: ownUrn(name, spec.type, opts), __timeouts: timeoutsOf(opts), providerVersion };
}

/** A program argument as its spec declares it. */
export interface DeclaredArg {
  readonly name: string;
  /** The kind of value its validator accepts; undefined for an argument without one. */
  readonly kind: ValueKind | undefined;
  /** Checked even when missing. */
  readonly required: boolean;
  /** The program sets it when omitted. */
  readonly hasDefault: boolean;
  readonly secret: boolean;
}

/** What a resource declares: its arguments, the inputs check derives, and its outputs (for tests and tools). */
export interface Declaration {
  readonly type: ProviderKey;
  readonly args: readonly DeclaredArg[];
  readonly derived: readonly string[];
  readonly outputs: readonly string[];
}

export function declarationOf<A, S extends Fields<A>>(spec: ResourceSpec<A, S>): Declaration {
  const fields = spec.fields as Record<string, Field>;
  const args = Object.entries(fields).flatMap(([name, field]) =>
    field.role === "arg"
      ? [{ name, kind: field.validate?.kind, required: field.required === true, hasDefault: field.default !== undefined, secret: field.secret === true }]
      : [],
  );
  return {
    type: spec.type,
    args,
    derived: keysWith(fields, (field) => field.role === "derived"),
    outputs: keysWith(fields, (field) => field.role === "output"),
  };
}

/** What a change of each field means, from the spec: the rules of the engine's diff. */
export function diffRulesOf<A, S extends Fields<A>>(spec: ResourceSpec<A, S>): DiffRules {
  const fields = spec.fields as Record<string, Field>;
  const on = (change: OnChange) => keysWith(fields, (field) => field.role !== "output" && field.onChange === change);
  return { replace: on("replace"), update: on("update"), ...(spec.deleteBeforeReplace ? { deleteBeforeReplace: spec.deleteBeforeReplace } : {}) };
}

/**
 * The field checks of `check`: each argument's validator, on a copy of `news` that keeps what each
 * validator returns (the normalised value). Unknown values pass (known at apply); a missing value is
 * checked only when the field is required.
 */
export function checkFields<A, S extends Fields<A>, T extends object>(spec: ResourceSpec<A, S>, given: T, check: Check): T {
  const news = given as Record<string, unknown>;
  const inputs: Record<string, unknown> = { ...news };
  for (const [key, field] of Object.entries(spec.fields as Record<string, Field>)) {
    if (field.role !== "arg" || !field.validate) continue;
    const value = news[key];
    if (isUnknown(value) || ((value === undefined || value === null) && !field.required)) continue;
    inputs[key] = field.validate(check, key, value);
  }
  return inputs as T;
}

/**
 * Refuses the keys of `news` the resource does not declare, each named with the fix: the typed SDK never
 * sends one, but a program that casts (`as any`) or builds its args from data can. Keys starting `__` are
 * the engine's and this package's bookkeeping (`__provider`, `__stack`, `__urn`, `__timeouts`, …), and
 * `providerVersion` is recorded by the program: they pass. An output given a value is refused too.
 */
export function checkKeys<A, S extends Fields<A>>(spec: ResourceSpec<A, S>, news: object, check: Check): void {
  const fields = spec.fields as Record<string, Field>;
  const args = keysWith(fields, (field) => field.role === "arg");
  for (const [key, value] of Object.entries(news)) {
    if (key.startsWith("__") || key === "providerVersion") continue;
    const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (field?.role === "arg" || field?.role === "derived") continue;
    if (field?.role === "output") {
      if (value !== undefined && value !== null) check.fail(key, `is an output of ${spec.type} (Codefresh reports it), not an input: remove it`);
      continue;
    }
    const near = args.find((arg) => arg.toLowerCase() === key.toLowerCase());
    check.fail(key, `is not an input of ${spec.type}: ${near ? `did you mean ${near}?` : "remove it"} (its inputs: ${args.join(", ")})`);
  }
}

/** What a resource's methods receive from `check`: the raw and the field-checked values, and the collector. */
export interface CheckRequest<I> {
  readonly olds: Unchecked<I>;
  readonly news: Unchecked<I>;
  /** `news` after the field checks, normalised; add derived inputs here. */
  readonly inputs: Unchecked<I>;
  readonly check: Check;
}

/** The part of a provider a resource writes; check's field checks and diff come from its spec. */
export interface ResourceMethods<I, O> {
  /** Cross-field rules, ownership claims and facts, after the field checks. */
  check?(context: ProviderContext, request: CheckRequest<I>): Promise<void>;
  create(context: ProviderContext, inputs: I): Promise<pulumi.dynamic.CreateResult<O>>;
  read(context: ProviderContext, id: string, props: O | undefined): Promise<pulumi.dynamic.ReadResult<O>>;
  update(context: ProviderContext, id: string, olds: O, news: I): Promise<pulumi.dynamic.UpdateResult<O>>;
  delete(context: ProviderContext, id: string, props: O): Promise<void>;
}

/**
 * A resource's provider: check's field checks and diff from its spec, its own methods for the rest,
 * each given the provider context. Secret inputs join the context's secret set before any method runs;
 * results are made encodable and errors leave scrubbed.
 */
export function specProvider<A, S extends Fields<A>, I extends object, O extends object>(
  spec: ResourceSpec<A, S>,
  methods: ResourceMethods<I, O>,
  context: () => ProviderContext,
): Required<Omit<pulumi.dynamic.ResourceProvider<I, O>, "configure">> {
  const secrets = secretKeys(spec.fields);
  const rules = diffRulesOf(spec);
  const enter = (...values: (object | undefined)[]): ProviderContext => {
    const current = context();
    for (const value of values)
      for (const key of secrets) {
        const secret = (value as Record<string, unknown> | undefined)?.[key];
        if (typeof secret === "string") current.secrets.add(secret);
      }
    return current;
  };
  return {
    check: (olds, news) => {
      const ctx = enter(olds, news);
      return guard(ctx.secrets, async () => {
        const check = new Check(ctx.secrets);
        const raw: Unchecked<I> = { ...news };
        checkKeys(spec, raw, check);
        const inputs = checkFields(spec, raw, check);
        await methods.check?.(ctx, { olds: { ...olds }, news: raw, inputs, check });
        return { inputs: plain(inputs) as I, failures: check.failures };
      });
    },
    diff: async (_id, olds, news) => diffFields(rules, olds as Record<string, unknown>, news as Record<string, unknown>),
    create: (inputs) => {
      const ctx = enter(inputs);
      return guard(ctx.secrets, async () => {
        const result = await methods.create(ctx, inputs);
        return result.outs === undefined ? result : { ...result, outs: plain(result.outs) };
      });
    },
    read: (id, props) => {
      const ctx = enter(props);
      return guard(ctx.secrets, () => methods.read(ctx, id, props));
    },
    update: (id, olds, news) => {
      const ctx = enter(olds, news);
      return guard(ctx.secrets, async () => {
        const result = await methods.update(ctx, id, olds, news);
        return result.outs === undefined ? result : { ...result, outs: plain(result.outs) };
      });
    },
    delete: (id, props) => {
      const ctx = enter(props);
      return guard(ctx.secrets, () => methods.delete(ctx, id, props));
    },
  };
}

/** The constructor's arguments: `args` may be left out when every argument is optional. */
type ConstructorArgs<A> = object extends A ? [args?: A, opts?: pulumi.CustomResourceOptions] : [args: A, opts?: pulumi.CustomResourceOptions];

/** The class a spec gives: typed properties, `__pulumiType` and `isInstance` for policies. */
export interface ResourceClass<A, O, I = O> {
  new (name: string, ...rest: ConstructorArgs<A>): pulumi.dynamic.Resource & OutputProperties<O>;
  /** The type token policies match: `pulumi-nodejs:dynamic/codefresh:<Type>`. */
  readonly __pulumiType: string;
  /** Whether `obj` is a resource of this type, also across copies of this package. */
  isInstance(obj: unknown): obj is pulumi.dynamic.Resource & OutputProperties<O>;
  /** Type only: what the engine and policies see of a resource before it is created (its checked inputs). */
  readonly __inputs?: I | undefined;
}

/**
 * The program-side class of a spec, registered with `shim` as its (serialized) provider. Use it as the
 * resource's class itself, not as a base class: Pulumi stores every resource's whole stack trace in state
 * and its source position at a fixed depth, so a subclass's constructor frame would cost ~90 bytes of
 * state per resource (bench N=20 M=4: 4,079 bytes with it, 3,983 without) and shift the position.
 */
export function specResource<A, S extends Fields<A>>(
  spec: ResourceSpec<A, S>,
  shim: pulumi.dynamic.ResourceProvider,
  defaults: pulumi.CustomResourceOptions = {},
): ResourceClass<A, OutputsOf<A, S>, InputsOf<A, S>> {
  const pulumiType = typeToken(spec.type);
  const secretOutputs = secretKeys(spec.fields);
  // Named after the type (stack frames and `constructor.name` read "GitSource", not a generic name).
  const named = {
    [spec.type]: class extends pulumi.dynamic.Resource {
      static readonly __pulumiType = pulumiType;
      static override isInstance(obj: unknown): obj is pulumi.CustomResource {
        return pulumi.CustomResource.isInstance(obj) && (obj as { __pulumiType?: unknown }).__pulumiType === pulumiType;
      }
      constructor(name: string, args?: A, opts?: pulumi.CustomResourceOptions) {
        const options: pulumi.CustomResourceOptions = {
          ...defaults,
          ...opts,
          ...(secretOutputs.length > 0 ? { additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...secretOutputs] } : {}),
        };
        // Stack capture off while the resource registers. Registering a resource makes Pulumi create four
        // promises per property, each capturing a stack trace for its promise-leak report, and under ts-node
        // each trace is mapped through source maps: for our ~20-property resources that was ~5 ms of CPU
        // apiece, a fifth of a 240-resource preview's program time (CPU profile, bench N=200 M=40).
        const stackTraceLimit = Error.stackTraceLimit;
        Error.stackTraceLimit = 0;
        try {
          // Omitted args are none (a resource whose arguments are all optional); null is refused as before.
          super(shim, name, programProps(spec, name, args === undefined ? ({} as A) : args, opts), options, typeModule, spec.type);
        } finally {
          Error.stackTraceLimit = stackTraceLimit;
        }
      }
    },
  }[spec.type];
  // Pulumi defines each property on the instance at run time; the type says which.
  return named as unknown as ResourceClass<A, OutputsOf<A, S>, InputsOf<A, S>>;
}
