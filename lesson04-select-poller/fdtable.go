package poller

// fdTable maps a file descriptor to a T. The kernel hands out the lowest
// free descriptor number, so descriptors are small, dense integers, and an
// array indexed by fd beats a map: no hashing, no allocation per entry. The
// kernel keeps its own table the same way.
//
// It grows by pages, so that growing never copies the entries already there
// nor leaves the old array behind as garbage: with thousands of connections,
// both would show in the server's memory.
type fdTable[T any] struct {
	pages [][]T
}

const fdPageSize = 1024

// at returns fd's entry, or nil if the table has never grown that far.
func (t *fdTable[T]) at(fd int) *T {
	p := fd / fdPageSize
	if fd < 0 || p >= len(t.pages) || t.pages[p] == nil {
		return nil
	}
	return &t.pages[p][fd%fdPageSize]
}

// grow returns fd's entry, making room for it first if needed.
func (t *fdTable[T]) grow(fd int) *T {
	p := fd / fdPageSize
	for p >= len(t.pages) {
		t.pages = append(t.pages, nil)
	}
	if t.pages[p] == nil {
		t.pages[p] = make([]T, fdPageSize)
	}
	return &t.pages[p][fd%fdPageSize]
}

// each calls fn for every entry, in fd order.
func (t *fdTable[T]) each(fn func(fd int, entry *T)) {
	for p, page := range t.pages {
		for i := range page {
			fn(p*fdPageSize+i, &page[i])
		}
	}
}
