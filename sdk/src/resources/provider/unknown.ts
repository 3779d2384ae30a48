// The value the engine passes for an input not known until apply (a preview of a value computed by
// another resource). Pulumi defines it; this is the one name the SDK and the policy pack use for it.
import * as pulumi from "@pulumi/pulumi";

export const unknownValue: string = pulumi.runtime.unknownValue;

export function isUnknown(value: unknown): boolean {
  return value === unknownValue;
}
