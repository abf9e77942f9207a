"""Photos, recordings and signed forms: resumable uploads by SHA-256, the bytes on disk,
and the records that refer to them."""
