// The workflows in .github/workflows run the infra repo's own program; this directory holds no program.
export {};
