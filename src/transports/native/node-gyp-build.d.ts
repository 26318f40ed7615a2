// node-gyp-build ships no type declarations; this is the part twisted-ts uses.
declare module 'node-gyp-build' {
  /** Loads the addon built in `dir/build/Release` or prebuilt in `dir/prebuilds`. */
  function load(dir: string): unknown;
  namespace load {
    /** The path of the binary `load(dir)` would load; throws when there is none. */
    function path(dir: string): string;
  }
  export default load;
}
