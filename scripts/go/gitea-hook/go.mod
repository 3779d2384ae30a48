module local.invalid/gitea-hook

go 1.26
