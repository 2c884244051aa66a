# A year's ratings into a data frame, and one organisation's report card (httr2).
library(httr2)

api <- Sys.getenv("RATINGS_API", "http://127.0.0.1:8000/api/v1")

every_row <- function(url) {
  rows <- list()
  while (!is.null(url)) {
    body <- request(url) |> req_perform() |> resp_body_json()
    rows <- c(rows, body$results)
    url <- body$`next`
  }
  rows
}

year <- (request(paste0(api, "/years/")) |> req_perform() |> resp_body_json())[[1]]$year
rows <- every_row(paste0(api, "/ratings/?page_size=1000&year=", year))
ratings <- do.call(rbind, lapply(rows, function(r) data.frame(
  organisation = r$organisation, type = r$type, band = r$band,
  rank = if (is.null(r$rank)) NA else r$rank)))
print(table(ratings$type, ratings$band))

card <- request(paste0(api, "/organisations/", ratings$organisation[1], "/report-cards/", year, "/")) |>
  req_perform() |> resp_body_json()
cat(card$organisation$name, ":", card$band_word, "\n")
