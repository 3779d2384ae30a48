// Integration tests run the real Pulumi engine; one `up` of a small program takes seconds, not ms.
import { stopSpawnedEmulators } from "./emulator";

jest.setTimeout(10 * 60 * 1000);

// Nothing a test file starts may outlive it, even when the test failed half-way.
afterAll(() => stopSpawnedEmulators());
