package ai.aster.trainer.service;

/**
 * A stored trajectory's whole document (JSON text), its keyset position, and the grading columns the store added to
 * it on ingest, for walking the store page by page.
 *
 * @param correct the grader's verdict; null when the trajectory had no reference answer
 * @param reward  1/0 from grading when it had a reference answer, else what was published (may be null)
 */
public record StoredDocument(PageCursor position, String document, Boolean correct, Double reward) {}
