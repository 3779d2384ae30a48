// The four classes as policies and programs see them: each has its type token as a static, and
// `isInstance` tells its own resources from the others' (Pulumi's policy SDK matches a dynamic resource
// by that static, as in `validateResourceOfType(ManagedCluster, …)`). Mocked engine, in a child Node
// process: Pulumi's closure serializer needs Node's own module system, not jest's.
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { validateResourceOfType } from "@pulumi/policy";
import { GitSource, HostedRuntime, ManagedCluster, SharedConfigRepo } from "pulumi-codefresh";

const repoRoot = resolve(__dirname, "..", "..");

test("each class has its type token and tells its own resources from the others'", () => {
  const script = `
    const pulumi = require("@pulumi/pulumi");
    pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name + "-id", state: a.inputs }), call: (a) => a.inputs }, "project", "stack", false);
    const cf = require("pulumi-codefresh");
    const made = {
      HostedRuntime: new cf.HostedRuntime("hosted", {}),
      SharedConfigRepo: new cf.SharedConfigRepo("isc", { runtime: "rt", gitProvider: "GITHUB", repoUrl: "https://github.com/acme/isc.git", gitToken: pulumi.secret("t") }),
      GitSource: new cf.GitSource("apps", { runtime: "rt", repoUrl: "https://github.com/acme/apps.git" }),
      ManagedCluster: new cf.ManagedCluster("prod", { runtime: "rt", kubeconfigPath: "/nonexistent/kubeconfig" }),
    };
    const matrix = Object.fromEntries(Object.keys(made).map((cls) => [cls, Object.keys(made).filter((key) => cf[cls].isInstance(made[key]))]));
    process.stdout.write(JSON.stringify({ matrix, tokens: Object.fromEntries(Object.keys(made).map((cls) => [cls, cf[cls].__pulumiType])), plain: cf.GitSource.isInstance({}) }));
    setTimeout(() => process.exit(0), 100);`;
  const observed = JSON.parse(execFileSync(process.execPath, ["-e", script], { cwd: repoRoot, encoding: "utf8" })) as {
    matrix: Record<string, string[]>;
    tokens: Record<string, string>;
    plain: boolean;
  };
  expect(observed.matrix).toEqual({
    HostedRuntime: ["HostedRuntime"],
    SharedConfigRepo: ["SharedConfigRepo"],
    GitSource: ["GitSource"],
    ManagedCluster: ["ManagedCluster"],
  });
  expect(observed.tokens).toEqual({
    HostedRuntime: "pulumi-nodejs:dynamic/codefresh:HostedRuntime",
    SharedConfigRepo: "pulumi-nodejs:dynamic/codefresh:SharedConfigRepo",
    GitSource: "pulumi-nodejs:dynamic/codefresh:GitSource",
    ManagedCluster: "pulumi-nodejs:dynamic/codefresh:ManagedCluster",
  });
  expect(observed.plain).toBe(false);
});

test("validateResourceOfType(ManagedCluster, …) runs for a ManagedCluster and for nothing else", () => {
  const seen: string[] = [];
  const validate = validateResourceOfType(ManagedCluster, (cluster, args) => {
    seen.push(`${args.name}:${cluster.runtime}`);
  });
  const notApplicable: string[] = [];
  for (const cls of [HostedRuntime, SharedConfigRepo, GitSource, ManagedCluster]) {
    const type = cls.__pulumiType;
    const name = type.split(":").pop() ?? "";
    const args = {
      type,
      name,
      props: { runtime: "rt" },
      isType: (c: { __pulumiType?: string }) => c.__pulumiType === type,
      notApplicable: () => void notApplicable.push(name),
    };
    void (validate as (a: unknown, report: (message: string) => void) => void)(args, () => undefined);
  }
  expect(notApplicable).toEqual(["HostedRuntime", "SharedConfigRepo", "GitSource"]);
  expect(seen).toEqual(["ManagedCluster:rt"]);
});
