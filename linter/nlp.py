"""The spaCy pipeline, loaded once per process.

By default a blank English pipeline with a rule-based sentencizer, and lookup lemmas from the
`spacy-lookups-data` package when a rule's token pattern asks for `LEMMA` (none of the bundled rules
does: loading the lemma table is a fifth of a cold start, so it is only paid for when used). Nothing to
download. A user's config may name an installed trained
pipeline (`spacy_model = "en_core_web_sm"` or a path); its entities and proper-noun (PROPN) tags then strengthen research signals.
"""

from __future__ import annotations

from functools import cache


class PipelineError(RuntimeError):
    """The configured spaCy pipeline cannot be loaded."""


@cache
def load(model: str | None = None, lemmas: bool = False):
    import spacy

    if model:
        try:
            nlp = spacy.load(model)
        except (OSError, ImportError, ValueError) as exc:
            raise PipelineError(f"cannot load spaCy pipeline {model!r}: {str(exc).splitlines()[0]}") from None
        if "sentencizer" not in nlp.pipe_names and "parser" not in nlp.pipe_names and "senter" not in nlp.pipe_names:
            nlp.add_pipe("sentencizer", first=True)
        return nlp
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    if lemmas:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp
