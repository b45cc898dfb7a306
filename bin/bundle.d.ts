/** See bundle.js. */
export function bundle(options: {
  name: string;
  entryPoints: Record<string, string>;
  sourceDirs: string[];
}): Promise<string>;
