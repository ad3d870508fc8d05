/** A version-4 UUID from the kernel's random source (see core-random-uuid.mjs). */
export function randomUUID(): string;
