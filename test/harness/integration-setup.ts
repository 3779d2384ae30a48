// Integration tests run the real Pulumi engine; one `up` of a small program takes seconds, not ms.
jest.setTimeout(10 * 60 * 1000);
