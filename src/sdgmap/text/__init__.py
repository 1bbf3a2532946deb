"""Pure text utilities shared by every layer: cleaning what people type (``clean``), and
finding explicit SDG, target, Action Line, entity, date and place references in a text
with their spans (``references``, ``dates``). No database, no model: ingest reads
references out of documents with them and the classifier reads explicit goal mentions.
"""
