// Module types of the bundled assets (wrangler `Data` rule / esbuild `binary` loader, and JSON modules).
declare module '*.bin' {
  const data: ArrayBuffer;
  export default data;
}
