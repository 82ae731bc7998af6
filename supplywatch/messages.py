"""Refusals shown to users as one line, translatable: the English template is the msgid, values fill it in."""

from __future__ import annotations


class UserError(ValueError):
    """A refusal whose message is safe to show as is; ``translated(_)`` gives it in the reader's language."""

    def __init__(self, template: str, **params):
        self.template, self.params = template, params
        super().__init__(template.format(**params) if params else template)

    def translated(self, _) -> str:
        """The message in the reader's language (English when the catalogue lacks it)."""
        text = _(self.template)
        return text.format(**self.params) if self.params else text
