"""Learned classification and routing (智能分类派单): category, department and type from an order's words.

`features` turns a text into what the learner sees, `learner` is the model (pure scikit-learn, no
database), `models` the tables it lives in, `training` gathers examples and commits a new model
version, `serving` keeps each process on the newest version, `history` imports past messages and
`quality` measures how often agents took the suggestion.
"""
