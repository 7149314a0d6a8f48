// ESLint flat config: typescript-eslint's recommended rules everywhere, a few cheap type-aware
// rules and @pulumi/eslint-plugin's (no Output in a template literal: use pulumi.interpolate)
// on the TypeScript of the tsconfig, plain recommended rules for the repository's Node scripts.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

/** Node's globals, for the .js/.mjs scripts (no dependency on the `globals` package). */
const NODE_GLOBALS = Object.fromEntries(
    [
        "require", "module", "exports", "__dirname", "__filename", "process", "console", "Buffer", "URL",
        "setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "TextEncoder", "TextDecoder",
        "WebAssembly", "globalThis",
    ].map((name) => [name, "readonly"]),
);

export default tseslint.config(
    {
        ignores: ["node_modules/**", "**/node_modules/**", "bin/**", "out/**", "**/*.d.ts", ".nyc_output/**"],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
        files: ["**/*.ts"],
        languageOptions: {
            parserOptions: {
                // Type information (for the Pulumi rules and the promise rules) from tsconfig.json.
                // policy/ has a tsconfig.json of its own (the policy pack's, for the Pulumi CLI).
                projectService: true,
                tsconfigRootDir: import.meta.dirname,
            },
        },
        plugins: { "@pulumi": pulumi },
        rules: {
            "@pulumi/no-output-in-template-literal": "error",
            "@pulumi/no-output-instance-in-template-literal": "error",
            // A forgotten promise in a Pulumi program is a resource registered after the program ended.
            "@typescript-eslint/no-floating-promises": "error",
            "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
        },
    },
    {
        // Tests reach into the engine's untyped RPC objects (the mock monitor's requests): `any`
        // is reported there, as a warning.
        files: ["test/**/*.ts", "plan/**/*.ts"],
        rules: { "@typescript-eslint/no-explicit-any": "warn" },
    },
    {
        // The repository's Node scripts (CommonJS) and this file.
        files: ["**/*.js", "**/*.cjs", "**/*.mjs"],
        languageOptions: { globals: NODE_GLOBALS },
    },
    {
        files: ["**/*.js", "**/*.cjs"],
        languageOptions: { sourceType: "commonjs" },
        rules: { "@typescript-eslint/no-require-imports": "off" },
    },
);
