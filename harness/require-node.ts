import { unsupportedNodeMessage } from './node-version.ts';

// Imported first by the library entry: evaluated before any module that needs a newer Node.
const message = unsupportedNodeMessage(process.versions.node);
if (message !== undefined) throw new Error(message);
