"""Read side of the books, one module per subject: statements (trial balance, CPC, bilan),
books (general ledger, journal), partners (aged balance), lists (the working pages), home
(the home pages' figures), exports (the reports as tables to download); periods and sums
hold what they share."""
