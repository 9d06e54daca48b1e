"""Named entities in Chinese prose: person names, addresses and organisations.

* :mod:`.model` — the shipped character CRF (``zh_ner.crfsuite``), loaded lazily, once.
* :mod:`.backends` — the backend interface, the CRF default and the LAC backend (:mod:`.lac`),
  chosen by ``BAOMI_NER_BACKEND=crf|lac|accurate``.
* :mod:`.rules` — context rules (``甲方：``, ``联系人``, ``先生``/``女士``) and span clean-up.
* :mod:`.features` — per-character features (the hot path), :mod:`.lexicon` — word lists.
* :mod:`.generator`, :mod:`.templates`, :mod:`.train` — the training data generator and the
  training script (``make model``); they need Faker (and jieba's dictionary to rebuild the word
  lists) and are never imported when scanning.

Importing this package does no work; the recognizers live in
:mod:`baomi.engine.recognizers.cn.prose_ner`.
"""
