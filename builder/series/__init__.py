"""Posts → the book: book.yaml's corrections, parts and chapter numbers, the figures' images, index terms, links."""
