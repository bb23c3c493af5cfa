// Loaded with `node --import` to play an unsupported Node: the version check must stop first.
Object.defineProperty(process.versions, 'node', { value: '18.19.0' });
