import Testing

/// The suites that run the judge's convolutions, nested here so that they run one at a time:
/// MirageTensor's cached oneDNN convolution primitives set their buffers and run without a lock,
/// so two threads convolving the same shapes at once would overwrite each other's buffers.
@Suite(.serialized) struct JudgeBackedTests {}
