// Placeholder until the vault work (encryption at rest, AES-GCM) replaces this file.
export async function sealBytes(bytes) { return bytes; }
export async function openBytes(bytes) { return bytes; }
