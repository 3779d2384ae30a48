module local.invalid/conformance

go 1.22

require github.com/codefresh-io/go-sdk v1.4.15
