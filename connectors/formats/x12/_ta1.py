"""TA1 interchange acknowledgements: an interchange holding only the TA1 (IEA01 = 0).

Written by hand because pyx12 puts the TA1 after GE, before IEA, where the standard has it
right after the ISA.
"""

from __future__ import annotations

from datetime import datetime

from connectors.formats.x12._ack_997 import ta1_segment
from connectors.formats.x12._acks import InterchangeAck
from connectors.formats.x12._envelope import InterchangeEnd
from connectors.formats.x12._writer import (
    ControlNumbers,
    EnvelopeSpec,
    OutboundInterchange,
    write_interchange,
)


def build_ta1(
    end: InterchangeEnd,
    *,
    numbers: ControlNumbers,
    now: datetime,
    ack: InterchangeAck | None = None,
) -> OutboundInterchange:
    """A TA1 answering the interchange `end` closes; `ack` overrides what the reader found.

    Uses the partner's delimiters and ISA12; only `numbers.interchange` is consumed.
    """
    content = ack if ack is not None else end.acknowledge()
    return write_interchange(
        EnvelopeSpec.answering(end.header),
        (),
        numbers=numbers,
        now=now,
        before_groups=[ta1_segment(content)],
    )
