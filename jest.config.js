// Two projects: `unit` needs no server and runs in seconds; `integration` drives the real Pulumi CLI
// (and, as they land, the local Kubernetes API server, git server and Codefresh emulator).
const tsJest = ["ts-jest", { tsconfig: "<rootDir>/test/tsconfig.json" }];

/** @type {import("jest").Config} */
module.exports = {
  projects: [
    {
      displayName: "unit",
      rootDir: __dirname,
      testEnvironment: "node",
      testMatch: ["<rootDir>/test/unit/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
    },
    {
      displayName: "policies",
      rootDir: __dirname,
      testEnvironment: "node",
      testMatch: ["<rootDir>/test/policies/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
    },
    {
      displayName: "integration",
      rootDir: __dirname,
      testEnvironment: "node",
      testMatch: ["<rootDir>/test/integration/**/*.test.ts"],
      transform: { "^.+\\.ts$": tsJest },
      setupFilesAfterEnv: ["<rootDir>/test/harness/integration-setup.ts"],
      globalSetup: "<rootDir>/test/harness/global-setup.ts",
      globalTeardown: "<rootDir>/test/harness/global-teardown.ts",
    },
    {
      displayName: "reliability",
      rootDir: __dirname,
      testEnvironment: "node",
      testMatch: ["<rootDir>/test/reliability/**/*.test.ts"],
      // The soak runs for a bounded time of its own, only as `npm run test:reliability -- --soak`.
      testPathIgnorePatterns: process.env.PULUMI_CODEFRESH_SOAK === "1" ? [] : ["/test/reliability/soak\\.test\\.ts$"],
      transform: { "^.+\\.ts$": tsJest },
      setupFilesAfterEnv: ["<rootDir>/test/harness/integration-setup.ts"],
      globalSetup: "<rootDir>/test/harness/global-setup.ts",
      globalTeardown: "<rootDir>/test/harness/global-teardown.ts",
    },
  ],
};
