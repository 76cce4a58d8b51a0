package main

import (
	_ "github.com/stretchr/testify/require"
	_ "golang.org/x/sync/errgroup"
)

func main() {}
