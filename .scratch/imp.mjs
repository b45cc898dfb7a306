const spec = process.argv[2];
const t0 = performance.now();
await import(spec);
console.log(Math.round(performance.now() - t0));
