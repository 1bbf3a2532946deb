"""Ingestion: turn reports (txt, md, docx, pdf, html) into register activities with provenance.

``references.extract`` finds explicit references in any text (SDGs, targets, Action Lines,
ITU-D outcomes, UN entities, dates, places, URLs, money, counts).
"""
