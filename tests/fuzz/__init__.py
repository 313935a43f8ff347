"""Property-based fuzzing of the real app: mutated cXML, X12, EDIFACT and JSON bodies.

Every request must get an answer in the sender's protocol and never a 5xx, its raw bytes must be
in the document log, and no partner secret may be readable back from anything stored. The
default run is small and derandomized (CI); `B2CONNECT_FUZZ_EXAMPLES=2000` runs a campaign.
"""
