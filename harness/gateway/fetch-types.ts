// The fetch init types under their usual names, derived from Node's globals rather than the DOM lib,
// so the published declarations compile in a project without "DOM" in its `lib`.
export type HeadersInit = ConstructorParameters<typeof Headers>[0];
export type BodyInit = NonNullable<RequestInit['body']>;
