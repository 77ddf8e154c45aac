"""The protocol: itemised rules with stable ids, changed only by logged delta operations, served
to tasks by relevance within a token budget."""

from .get import get_protocol
from .models import (
    DeltaOpOut,
    Protocol,
    ProtocolChangeOut,
    ProtocolHistory,
    ProtocolRequest,
    ProtocolRule,
    RuleEvidence,
    RuleOut,
    VersionOut,
)
from .ops import (
    AddRuleRequest,
    DeprecateRuleRequest,
    EditRuleRequest,
    add_rule,
    deprecate_rule,
    edit_rule,
    protocol_history,
    restore_version,
)
from .versions import active, fold, states_at

__all__ = [
    "AddRuleRequest",
    "DeltaOpOut",
    "DeprecateRuleRequest",
    "EditRuleRequest",
    "Protocol",
    "ProtocolChangeOut",
    "ProtocolHistory",
    "ProtocolRequest",
    "ProtocolRule",
    "RuleEvidence",
    "RuleOut",
    "VersionOut",
    "active",
    "add_rule",
    "deprecate_rule",
    "edit_rule",
    "fold",
    "get_protocol",
    "protocol_history",
    "restore_version",
    "states_at",
]
