"""SDG classification that explains itself: goals and targets for any text, offline.

``load_classifier()`` (or ``SDGClassifier()``) loads once; ``predict(texts)`` returns one
``Result`` per text: the goals whose calibrated score reaches the threshold (possibly none),
the most likely targets of each goal, and evidence spans of the input with the feature that
fired (an explicit reference, a keyword or query of a named set, or the nearest official
target text). Layers: explicit references (``sdgmap.text.references``), the lexical
query and keyword sets, and, with the ``[ml]`` extra, sentence embeddings. Results say
which layers ran. Artefacts are rebuilt by ``python -m sdgmap.classify.build``.
"""

from sdgmap.classify.classifier import SDGClassifier, load_classifier
from sdgmap.classify.result import Evidence, GoalScore, Result, TargetScore

__all__ = ["Evidence", "GoalScore", "Result", "SDGClassifier", "TargetScore", "load_classifier"]
