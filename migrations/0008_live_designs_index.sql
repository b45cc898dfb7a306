-- /metrics counts the designs not yet finished, by state, on every scrape. This index holds only those
-- rows (few at any time, however many designs have finished), so the count never reads the whole table.
create index designs_live on designs (state)
  where state in ('queued', 'generating_front', 'awaiting_approval', 'generating_views', 'finalizing');
