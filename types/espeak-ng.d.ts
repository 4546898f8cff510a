/** The npm `espeak-ng` WASM build ships no types: the Emscripten module factory it exports. */
declare module "espeak-ng" {
  interface ESpeakNgModule {
    FS: {
      readFile(path: string): Uint8Array;
      writeFile(path: string, data: string | Uint8Array): void;
    };
  }
  const ESpeakNg: (options: {
    arguments: string[];
    preRun?: ((module: ESpeakNgModule) => void)[];
    print?: (text: string) => void;
    printErr?: (text: string) => void;
  }) => Promise<ESpeakNgModule>;
  export default ESpeakNg;
}
