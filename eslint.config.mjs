// Lint for the whole tree: typescript-eslint's recommended type-checked rules (the type information
// comes from each file's nearest tsconfig), Pulumi's rules against Outputs in template literals, and
// the plain recommended rules for the JavaScript scripts. `npm test` runs it before the tests.
import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/*.d.ts", "test/fixtures/**/bin/**"] },
  js.configs.recommended,
  {
    files: ["**/*.ts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: { allowDefaultProject: ["examples/ci-workflows/*.ts"] }, tsconfigRootDir: import.meta.dirname } },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      // Loaded on first use, on purpose: ESM-only or heavy modules only some calls need, the engine's gRPC
      // client, our package.json, and the shim's load of the implementation (which must stay a `require`
      // of the package for the serialized provider in state).
      "@typescript-eslint/no-require-imports": [
        "error",
        {
          allowAsImport: true,
          allow: [
            "^@kubernetes/client-node$",
            "^@octokit/core$",
            "^node:tls$",
            "^@grpc/grpc-js$",
            "^@pulumi/pulumi/proto/",
            "package\\.json$",
            "^pulumi-codefresh/dist/resources/providers$",
          ],
        },
      ],
      // Methods that implement an async interface (a provider's check, a test's fake sleep) need not await.
      "@typescript-eslint/require-await": "off",
      // Unused names starting with "_" are deliberate (a destructured field left out, an unused parameter).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
    },
  },
  {
    files: ["test/**/*.ts"],
    rules: {
      // Jest's asymmetric matchers (expect.stringMatching, expect.any) are typed `any`.
      "@typescript-eslint/no-unsafe-assignment": "off",
      // Tests destructure the helpers' results ({ kill, exit } = runPulumi(...)); none of them uses `this`.
      "@typescript-eslint/unbound-method": "off",
    },
  },
  // Inputs are checked for control characters on purpose: the patterns name them.
  { rules: { "no-control-regex": "off" } },
  {
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    languageOptions: { globals: { ...globalsOfNode() } },
  },
);

/** Node's globals for the scripts (the `globals` package would be one more dependency for one list). */
function globalsOfNode() {
  const names = [
    "process",
    "console",
    "Buffer",
    "URL",
    "URLSearchParams",
    "setTimeout",
    "clearTimeout",
    "setInterval",
    "clearInterval",
    "setImmediate",
    "fetch",
    "AbortController",
    "AbortSignal",
    "__dirname",
    "__filename",
    "require",
    "module",
    "exports",
    "TextDecoder",
    "TextEncoder",
    "structuredClone",
    "queueMicrotask",
    "performance",
  ];
  return Object.fromEntries(names.map((name) => [name, "readonly"]));
}
