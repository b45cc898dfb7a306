/*
 * The soak's image store: s3rver (a pure-JS S3) in a process of its own, so that the soak can make the
 * store fail the way a real one does (SIGKILL: connections reset, then refused) and start it again on
 * the same port over the same folder, with every object written before still there.
 *   node --import tsx test/chaos/soak-s3rver.ts <port> <folder> <bucket>
 * Prints `ready <port>` once it accepts requests.
 */
import S3rver from 's3rver';

const [port = '0', directory, bucket] = process.argv.slice(2);
if (directory === undefined || bucket === undefined) {
  console.error('usage: soak-s3rver.ts <port> <folder> <bucket>');
  process.exit(2);
}
const server = new S3rver({
  address: '127.0.0.1',
  port: Number(port),
  silent: true,
  directory,
  configureBuckets: [{ name: bucket }],
});
const address = await server.run();
process.stdout.write(`ready ${address.port}\n`);
process.once('SIGTERM', () => {
  void server.close().finally(() => process.exit(0));
});
