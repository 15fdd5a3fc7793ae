// Public API of the data layer: EMNIST / K49 readers, the de-duplicated EMNIST image pool, symbol sets
// (P symbols × N images), the (a, b) pair split and contact sheets. Serves paper Sec. 3 (task and data).

export { FIXTURES_DIR, EMNIST_FIXTURES_DIR, readBytes, isGzip, maybeGunzip, readMaybeGzip } from './files.ts';
export { parseIdx, readIdxFile, encodeIdx, type IdxArray, type IdxKind } from './idx.ts';
export {
  parseNpy,
  readNpyFile,
  parseNpz,
  readNpzFile,
  npzArray,
  npyIntegers,
  encodeNpy,
  encodeNpz,
  parseNpyHeaderDict,
  type NpyArray,
  type NpyData,
  type NpyDescr,
  type EncodeNpyOptions,
} from './npz.ts';
export {
  loadEmnistSplit,
  transposeImages,
  parseEmnistMapping,
  readEmnistMapping,
  type EmnistSplit,
  type EmnistSplitPaths,
} from './emnist.ts';
export { loadK49Split, parseK49ClassMap, readK49ClassMap, K49_CLASS_COUNT, type K49Split, type K49Class } from './k49.ts';
export {
  loadEmnistPool,
  BYMERGE_TRAIN_PER_CLASS,
  BYMERGE_TEST_PER_CLASS,
  type EmnistPool,
  type PoolSplit,
  type PoolSplitName,
  type PoolImage,
  type ImageSource,
  type DroppedImage,
  type PoolClassCount,
  type PoolOptions,
} from './pool.ts';
export {
  buildSymbolSet,
  symbolImage,
  symbolClasses,
  heldoutImages,
  resizeInto,
  MIN_SIDE,
  MAX_SIDE,
  type SymbolSet,
  type BuildSymbolSetConfig,
  type HeldoutImages,
} from './symbols.ts';
export { allPairs, splitPairs, paperPairSplit, pairAt, trainPairCount, type Pair, type PairSplit } from './pairs.ts';
export { contactSheetPng, type ContactSheetOptions } from './contact-sheet.ts';
