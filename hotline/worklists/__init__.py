"""Work lists (issue 13): the filtered, sorted, paged order list behind every figure, and its export."""
