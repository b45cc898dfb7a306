-- The spec sheet PNG posted in a completed round's thread, made with its contact sheet (sheet:<design>).
-- Null for a round whose spec sheet could not be made, and for rounds completed before spec sheets were
-- posted: those get none in their thread (their design page still renders the PDF when asked).
alter table revisions add column spec_sheet_key text;
