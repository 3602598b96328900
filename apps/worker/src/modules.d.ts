// Module types of the bundled assets (wrangler `Data` rule / esbuild `binary` loader).
declare module '*.siamese' {
  const data: ArrayBuffer;
  export default data;
}
