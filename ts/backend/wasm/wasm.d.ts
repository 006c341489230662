// esbuild's binary loader turns an imported .wasm file into its bytes (used by binaries.inline.ts).
declare module '*.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
