"""Practise a whole conversation: simulated clients who answer back, offline and deterministic,
with a MITI-style summary at the end.

    from partnership.learner.conversation import Conversation, get_client
    conv = Conversation(get_client("dev"), seed=1)
    print(conv.opening)
    turn = conv.send("Part of you wants to cut down, and part of you needs that drink to cope.")
    print(turn.reply, turn.tag)            # the client's reply; change talk, sustain talk...
    conv.finish()                          # the summary (dict)

- :mod:`.schema`: conversation banks (YAML in ``partnership/learner/banks/conversations``);
- :mod:`.engine`: the client's state, the coach's codes as moves, the replies;
- :mod:`.summary`: the MITI-style summary, transcript and pictures;
- :mod:`.widget`: the JupyterLab lab (ipywidgets; imported only when asked for).

Plain Python: the book's page runs the same engine in Pyodide. Importing this package loads
neither ipywidgets, nor YAML, nor matplotlib, nor the coach's weights.
"""
from __future__ import annotations

from partnership.learner.conversation.engine import (ENGINE_VERSION, MAX_TURNS, Conversation,
                                                     ConversationError, Turn, replay, verify)
from partnership.learner.conversation.schema import (Client, ConversationBankError, client_ids,
                                                     get_client, load_clients, parse_clients)

__all__ = ["Conversation", "ConversationError", "Turn", "replay", "verify", "Client",
           "ConversationBankError", "client_ids", "get_client", "load_clients",
           "parse_clients", "ENGINE_VERSION", "MAX_TURNS"]
