const t0 = performance.now();
const { register } = await import('tsx/esm/api');
register();
const t1 = performance.now();
await import('../src/cli/facet.ts');
const t2 = performance.now();
console.log(JSON.stringify({ procUptimeAtStart: Math.round(t0), tsxRegister: Math.round(t1 - t0), importCli: Math.round(t2 - t1) }));
