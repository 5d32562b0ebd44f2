import Testing

/// The suites that run the judge on thousands of images, nested here so that they run one at a
/// time: each pass holds a few hundred megabytes of activations, and MirageTensor runs a cached
/// oneDNN primitive for one caller at a time anyway, so running them side by side only adds
/// memory and waiting.
@Suite(.serialized) struct JudgeBackedTests {}
